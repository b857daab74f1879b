package module

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/caddyserver/caddy/v2"
)

// credentialFailureBackoff is how long a failed credential resolution is
// remembered, so that a machine without credentials does not probe the
// credential chain (e.g. EC2 instance metadata) on every request.
const credentialFailureBackoff = 10 * time.Second

// credentialsProvider builds the upstream credentials provider: static
// keys, or the SDK's default chain or a profile, resolved lazily, all
// behind an aws.CredentialsCache that refreshes them before expiry.
func (g *Gateway) credentialsProvider(repl *caddy.Replacer) (aws.CredentialsProvider, error) {
	uc := g.UpstreamCredentials
	if uc == nil {
		uc = &UpstreamCredentials{}
	}
	var p aws.CredentialsProvider
	switch uc.Source {
	case CredentialsStatic:
		id, err := repl.ReplaceOrErr(uc.AccessKeyID, true, true)
		if err != nil {
			return nil, fmt.Errorf("access key ID: %w", err)
		}
		secret, err := repl.ReplaceOrErr(uc.SecretAccessKey, true, true)
		if err != nil {
			// The error names the placeholder, never its value.
			return nil, fmt.Errorf("secret access key: %w", err)
		}
		token := ""
		if uc.SessionToken != "" {
			if token, err = repl.ReplaceOrErr(uc.SessionToken, true, true); err != nil {
				return nil, fmt.Errorf("session token: %w", err)
			}
		}
		p = credentials.NewStaticCredentialsProvider(id, secret, token)
	case CredentialsProfile:
		profile := repl.ReplaceKnown(uc.Profile, "")
		p = &lazyCredentials{what: "profile " + profile, load: func(ctx context.Context) (aws.Config, error) {
			// The home region serves credential providers that call STS
			// (assume-role, web identity, SSO) when the profile names none.
			return config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile), config.WithDefaultRegion(g.Region))
		}}
	default:
		p = &lazyCredentials{what: "the default credential chain", load: func(ctx context.Context) (aws.Config, error) {
			return config.LoadDefaultConfig(ctx, config.WithDefaultRegion(g.Region))
		}}
	}
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = 5 * time.Minute
		o.ExpiryWindowJitterFrac = 0.2
	}), nil
}

// lazyCredentials loads the SDK configuration on first use, so that the
// gateway starts (and decides, and answers STS) on a machine without AWS
// credentials; forwarding then fails with a 502 that says why.
type lazyCredentials struct {
	what string
	load func(context.Context) (aws.Config, error)

	mu       sync.Mutex
	provider aws.CredentialsProvider
	err      error
	errUntil time.Time
}

// CredentialsUnavailableError says why no upstream credentials could be
// resolved.
type CredentialsUnavailableError struct {
	Source string
	Err    error
}

func (e *CredentialsUnavailableError) Error() string {
	return fmt.Sprintf("no upstream AWS credentials from %s: %v", e.Source, e.Err)
}

func (e *CredentialsUnavailableError) Unwrap() error { return e.Err }

// Retrieve returns credentials of the underlying provider. Failures are
// remembered for credentialFailureBackoff.
func (l *lazyCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.err != nil && now.Before(l.errUntil) {
		return aws.Credentials{}, l.err
	}
	if l.provider == nil {
		cfg, err := l.load(ctx)
		if err != nil {
			return aws.Credentials{}, l.fail(ctx, now, err)
		}
		if cfg.Credentials == nil {
			return aws.Credentials{}, l.fail(ctx, now, errors.New("no credential provider configured"))
		}
		l.provider = cfg.Credentials
	}
	c, err := l.provider.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, l.fail(ctx, now, err)
	}
	l.err = nil
	return c, nil
}

// fail records a failure. One caused by the caller giving up (a client
// that went away) is not remembered: it says nothing about the chain.
func (l *lazyCredentials) fail(ctx context.Context, now time.Time, err error) error {
	e := &CredentialsUnavailableError{Source: l.what, Err: err}
	if ctx.Err() == nil {
		l.err = e
		l.errUntil = now.Add(credentialFailureBackoff)
	}
	return e
}

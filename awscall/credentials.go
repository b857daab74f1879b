package awscall

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// credentialFailureBackoff is how long a failed credential resolution is
// remembered, so that a machine without credentials does not probe the
// credential chain (e.g. EC2 instance metadata) on every request.
const credentialFailureBackoff = 10 * time.Second

// StaticCredentials returns the provider of a fixed access key.
func StaticCredentials(accessKeyID, secretAccessKey, sessionToken string) aws.CredentialsProvider {
	return cached(credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken))
}

// ProfileCredentials returns the provider of a profile of the shared AWS
// files, resolved when first needed. region serves credential providers
// that call STS (assume-role, web identity, SSO) when the profile names
// none.
func ProfileCredentials(profile, region string) aws.CredentialsProvider {
	return cached(&lazyCredentials{what: "profile " + profile, load: func(ctx context.Context) (aws.Config, error) {
		return config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile), config.WithDefaultRegion(region))
	}})
}

// DefaultCredentials returns the provider of the AWS SDK's default
// credential chain, resolved when first needed; region as for
// ProfileCredentials.
func DefaultCredentials(region string) aws.CredentialsProvider {
	return cached(&lazyCredentials{what: "the default credential chain", load: func(ctx context.Context) (aws.Config, error) {
		return config.LoadDefaultConfig(ctx, config.WithDefaultRegion(region))
	}})
}

// cached puts p behind an aws.CredentialsCache that refreshes the
// credentials before they expire.
func cached(p aws.CredentialsProvider) aws.CredentialsProvider {
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = 5 * time.Minute
		o.ExpiryWindowJitterFrac = 0.2
	})
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

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
	"github.com/aws/smithy-go/logging"
	"go.uber.org/zap"
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
// none. The SDK's log messages go to log (nil: discarded).
func ProfileCredentials(profile, region string, log *zap.Logger) aws.CredentialsProvider {
	return cached(&lazyCredentials{what: "profile " + profile, load: func(ctx context.Context) (aws.Config, error) {
		return config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile), config.WithDefaultRegion(region),
			config.WithLogger(sdkLogger{log}))
	}})
}

// DefaultCredentials returns the provider of the AWS SDK's default
// credential chain, resolved when first needed (the EC2 instance metadata
// service is asked then, last, as the chain's final source; never for the
// region, which is the gateway's); region and log as for ProfileCredentials.
func DefaultCredentials(region string, log *zap.Logger) aws.CredentialsProvider {
	return cached(&lazyCredentials{what: "the default credential chain", load: func(ctx context.Context) (aws.Config, error) {
		return config.LoadDefaultConfig(ctx, config.WithDefaultRegion(region), config.WithLogger(sdkLogger{log}))
	}})
}

// maxSDKLogMessage bounds one SDK log message.
const maxSDKLogMessage = 1024

// sdkLogger routes the AWS SDK's log messages (such as the instance metadata
// client's "falling back to IMDSv1" warning, on hosts whose metadata
// endpoint answers 404) to the gateway's structured log. Without it the SDK
// prints them as plain-text lines ("SDK 2026/01/02 15:04:05 WARN ...") on
// stderr, which breaks JSON log pipelines. The gateway turns on no SDK
// request or response logging, so the messages carry no credentials.
type sdkLogger struct{ z *zap.Logger }

// Logf logs a warning as a warning and anything else at debug level.
func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	if l.z == nil {
		return
	}
	msg := fmt.Sprintf(format, v...)
	if len(msg) > maxSDKLogMessage {
		msg = msg[:maxSDKLogMessage] + "..."
	}
	if c == logging.Warn {
		l.z.Warn("aws sdk", zap.String("message", msg))
		return
	}
	l.z.Debug("aws sdk", zap.String("message", msg))
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

package module

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/awscall"
)

// upstreamCredentials builds the upstream credentials provider of uc (nil:
// the default chain): static keys, whose placeholders are resolved here,
// or the SDK's default chain or a profile, resolved lazily. region is the
// home region; the AWS SDK's log messages go to log.
func upstreamCredentials(uc *UpstreamCredentials, region string, repl *caddy.Replacer, log *zap.Logger) (aws.CredentialsProvider, error) {
	if uc == nil {
		uc = &UpstreamCredentials{}
	}
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
		return awscall.StaticCredentials(id, secret, token), nil
	case CredentialsProfile:
		return awscall.ProfileCredentials(repl.ReplaceKnown(uc.Profile, ""), region, log), nil
	default:
		return awscall.DefaultCredentials(region, log), nil
	}
}

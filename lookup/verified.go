package lookup

import (
	"context"
	"fmt"
)

// VerifiedNumber returns the phone number of a verified destination number
// of the region, named by its ID or ARN (SendDestinationNumberVerificationCode's
// VerifiedDestinationNumberId), with the gateway's own
// DescribeVerifiedDestinationNumbers call, cached like the other lookups (an
// ID names the same number for its whole life). A number the upstream does
// not list, or one of another account or region, is an error: the caller
// denies.
func (r *Resolver) VerifiedNumber(ctx context.Context, region, id string) (string, error) {
	return r.verified.get(ctx, region+"/"+id, func(ctx context.Context) (string, error) {
		return r.describeVerified(ctx, region, id)
	})
}

func (r *Resolver) describeVerified(ctx context.Context, region, id string) (string, error) {
	var number string
	req := map[string]any{"VerifiedDestinationNumberIds": []string{id}}
	err := r.describeAll(ctx, region, "DescribeVerifiedDestinationNumbers", req, func(p *describePage) error {
		for _, v := range p.VerifiedDestinationNumbers {
			if v.VerifiedDestinationNumberId != id && v.VerifiedDestinationNumberArn != id {
				continue
			}
			if err := r.scope.checkResolved(v.VerifiedDestinationNumberArn, region, "verified-destination-number/"); err != nil {
				return err
			}
			if number != "" && number != v.DestinationPhoneNumber {
				return fmt.Errorf("DescribeVerifiedDestinationNumbers lists %s with two numbers", id)
			}
			number = v.DestinationPhoneNumber
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if number == "" {
		return "", fmt.Errorf("%w: DescribeVerifiedDestinationNumbers lists no verified destination number %s in %s", ErrUnresolvable, id, region)
	}
	return number, nil
}

package apimap

import "regexp"

type compiledPartition struct {
	id string
	re *regexp.Regexp
}

var (
	regionPartition  = map[string]string{}
	partitionRegexes []compiledPartition
)

// Partition returns the partition of region ("aws", "aws-cn", "aws-us-gov",
// ...) from botocore's partitions.json: a listed region first, then the
// partitions' region patterns. ok is false for a region of no partition.
func Partition(region string) (partition string, ok bool) {
	if p, ok := regionPartition[region]; ok {
		return p, true
	}
	if len(region) == 0 || len(region) > 64 {
		return "", false
	}
	for i := 0; i < len(region); i++ {
		if c := region[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return "", false
		}
	}
	for _, c := range partitionRegexes {
		if c.re.MatchString(region) {
			return c.id, true
		}
	}
	return "", false
}

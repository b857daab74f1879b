package integration

// Client credentials of the test store. Every secret here must never appear
// in the gateway's log nor reach the upstream.
const (
	backendKeyID  = "AKIAINTEGBACKEND0001"
	backendSecret = "backendSecretKey/IntegrationTests/000001"
	// envUserSecret is given to the gateway through the environment
	// (INTEG_ENV_SECRET) and referenced from the store as {env.INTEG_ENV_SECRET}.
	envUserKeyID  = "AKIAINTEGENVUSER0001"
	envUserSecret = "envUserSecretKey/IntegrationTests/0000002"
	assumerKeyID  = "AKIAINTEGASSUMER0001"
	assumerSecret = "assumerSecretKey/IntegrationTests/000003"
)

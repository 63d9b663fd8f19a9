package v1alpha1

// Keys of a tenant's credentials Secret (status.credentialsSecret): the
// operator writes them, the API reads them to reach the tenant's database.
const (
	CredentialsKeyHost     = "host"
	CredentialsKeyPort     = "port"
	CredentialsKeyDBName   = "dbname"
	CredentialsKeyUsername = "username"
	CredentialsKeyPassword = "password"
	CredentialsKeySSLMode  = "sslmode"
	// CredentialsKeyURI holds a libpq connection URI with all of the above.
	CredentialsKeyURI = "uri"
)

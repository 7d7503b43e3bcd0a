package dev.agentstack.buildkite;

/** The configured organization does not exist or the token cannot see it: the controller cannot do anything useful. */
public final class OrganizationNotFoundException extends JobSourceUnusableException {

    private static final long serialVersionUID = 1L;

    public OrganizationNotFoundException(String org) {
        super("option org: Buildkite organization \"" + org + "\" not found (check the org slug and that the"
                + " token's GraphQL access covers it)");
    }
}

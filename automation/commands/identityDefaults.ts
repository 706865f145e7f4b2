/** Where the identity documents point by default (`mitene identity`); apart, so that --help needs nothing else. */
export const IDENTITY_DEFAULTS = {
    stateBucket: (env: string) => `mitene-${env}-pulumi-state`,
    secretsKeyAlias: "alias/mitene-pulumi",
    leaseTable: "mitene-leases",
};

import * as aws from "@pulumi/aws";

/** The env's AWS account and the role this run uses in it (stacks/config/access.ts). */
export interface RunAccount {
    accountId: string;
    /** The run's role (MITENE_ACCESS): deploy, preview or rollback. */
    roleArn: string;
}

/**
 * An explicit AWS provider: its region, the tags that say which stack owns a resource, and pinned to the env's
 * account: `allowedAccountIds` makes the provider fail before it changes anything when the credentials belong
 * to another account (a prod stack applied with staging credentials), and it always assumes the run's role,
 * never acting as the ambient credentials. `name` tells a stack's second provider (the Ops region's) from its own.
 */
export function awsProvider(region: string, stack: string, env: string, account: RunAccount, name = `aws-${region}`): aws.Provider {
    return new aws.Provider(name, {
        region,
        allowedAccountIds: [account.accountId],
        assumeRoles: [{ roleArn: account.roleArn, sessionName: `mitene-${stack}`.slice(0, 64) }],
        defaultTags: { tags: { "mitene.io/stack": stack, "mitene.io/env": env, "managed-by": "pulumi" } },
    });
}

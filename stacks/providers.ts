import * as aws from "@pulumi/aws";

/** The env's AWS account, from stack config. */
export interface EnvAccount {
    accountId: string;
    deployRoleArn?: string;
}

/**
 * An explicit AWS provider: its region, the tags that say which stack owns a resource, and pinned to the env's
 * account: `allowedAccountIds` makes the provider fail before it changes anything when the credentials belong
 * to another account (a prod stack applied with staging credentials), and it assumes the env's deploy role when
 * one is configured. `name` tells a stack's second provider (the Ops region's) from its own.
 */
export function awsProvider(region: string, stack: string, env: string, account: EnvAccount, name = `aws-${region}`): aws.Provider {
    return new aws.Provider(name, {
        region,
        allowedAccountIds: [account.accountId],
        assumeRoles: account.deployRoleArn ? [{ roleArn: account.deployRoleArn, sessionName: `mitene-${stack}`.slice(0, 64) }] : undefined,
        defaultTags: { tags: { "mitene.io/stack": stack, "mitene.io/env": env, "managed-by": "pulumi" } },
    });
}

import * as aws from "@pulumi/aws";

/** The one AWS provider of a stack: explicit region, and tags that say which stack owns a resource. */
export function awsProvider(region: string, stack: string, env: string): aws.Provider {
    return new aws.Provider(`aws-${region}`, {
        region,
        defaultTags: { tags: { "mitene.io/stack": stack, "mitene.io/env": env, "managed-by": "pulumi" } },
    });
}

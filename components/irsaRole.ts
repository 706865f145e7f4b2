/**
 * An IAM role for one Kubernetes service account (IRSA), with its permissions inline.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, irsaTrustPolicy } from "./iamPolicies";
import { throwIfProblems } from "./validation";

export interface IrsaRoleArgs {
    /** AWS provider of the cluster's account. */
    provider: aws.Provider;
    /** OIDC provider ARN of the cluster. */
    oidcProviderArn: pulumi.Input<string>;
    /** OIDC issuer URL of the cluster. */
    oidcProviderUrl: pulumi.Input<string>;
    /** Namespace of the service account. */
    namespace: string;
    /** The one service account allowed to assume the role. */
    serviceAccount: string;
    /** Permissions of the role. */
    policy: pulumi.Input<PolicyDocument>;
    /** Role description. Default: names the service account. */
    description?: string;
}

export class IrsaRole extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: IrsaRoleArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:iam:IrsaRole", name, {}, opts);
        const problems: string[] = [];
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.namespace)) problems.push(`namespace "${args.namespace}" is not a Kubernetes name`);
        if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(args.serviceAccount)) problems.push(`serviceAccount "${args.serviceAccount}" is not a Kubernetes name`);
        throwIfProblems(`IrsaRole ${name}`, problems);

        const role = new aws.iam.Role(name, {
            description: args.description ?? `IRSA role of ${args.namespace}/${args.serviceAccount}`,
            assumeRolePolicy: pulumi
                .all([args.oidcProviderArn, args.oidcProviderUrl])
                .apply(([arn, url]) => JSON.stringify(irsaTrustPolicy(arn, url, args.namespace, args.serviceAccount))),
        }, { parent: this, provider: args.provider });
        new aws.iam.RolePolicy(name, {
            role: role.name,
            policy: pulumi.output(args.policy).apply((doc) => JSON.stringify(doc)),
        }, { parent: this, provider: args.provider });

        this.arn = role.arn;
        this.roleName = role.name;
        this.registerOutputs({ arn: this.arn });
    }
}

/**
 * A kubeconfig for an EKS cluster that presents a token for one named role: `aws eks get-token --role-arn`
 * assumes it (from whatever credentials the caller holds) and signs the token with it, so the Kubernetes
 * identity is that role's access entry and never the ambient shell credentials. Built from what the cluster
 * publishes (endpoint, CA, name), so no other stack's choice of role is baked in. Options per the AWS CLI
 * reference of `aws eks get-token` (--cluster-name, --role-arn, --region, --output).
 */

export interface EksKubeconfigArgs {
    clusterName: string;
    /** The API server URL. */
    endpoint: string;
    /** Base64 PEM of the cluster CA, as EKS returns it. */
    caData: string;
    region: string;
    /** The role the token is signed with. */
    roleArn: string;
}

/** The kubeconfig as JSON (valid YAML, which every client reads). */
export function eksKubeconfig(args: EksKubeconfigArgs): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: args.clusterName, cluster: { server: args.endpoint, "certificate-authority-data": args.caData } }],
        contexts: [{ name: args.clusterName, context: { cluster: args.clusterName, user: args.clusterName } }],
        "current-context": args.clusterName,
        users: [
            {
                name: args.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", args.clusterName, "--region", args.region, "--role-arn", args.roleArn, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

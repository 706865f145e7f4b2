/**
 * TargetGroupBinding: the AWS Load Balancer Controller registers a Service's pod IPs in a target group that
 * Pulumi owns. Deleting one deregisters its targets, so the driver never destroys a cluster whose color
 * still carries weight.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export const TARGET_GROUP_BINDING_API = "elbv2.k8s.aws/v1beta1";

export interface TargetGroupBindingSpecInput {
    targetGroupArn: string;
    serviceName: string;
    /** The Kubernetes Service's port (name resolution of the endpoints). */
    servicePort: number;
    /**
     * The port the pods listen on. With `targetType: ip` the controller opens exactly this port on the pods'
     * security group, so it must be the container port, not the Service port.
     */
    containerPort: number;
    /** Security group of the ALB: the controller opens the pods' port to it and nothing else. */
    loadBalancerSecurityGroupId: string;
}

export const targetGroupBindingSpec = (input: TargetGroupBindingSpecInput) => ({
    targetGroupARN: input.targetGroupArn,
    targetType: "ip",
    serviceRef: { name: input.serviceName, port: input.servicePort },
    networking: {
        ingress: [
            {
                from: [{ securityGroup: { groupID: input.loadBalancerSecurityGroupId } }],
                ports: [{ protocol: "TCP", port: input.containerPort }],
            },
        ],
    },
});

export interface TargetGroupBindingArgs {
    namespace: string;
    serviceName: string;
    servicePort: number;
    containerPort: number;
    targetGroupArn: pulumi.Input<string>;
    loadBalancerSecurityGroupId: pulumi.Input<string>;
}

/** One TargetGroupBinding custom resource (the controller's CRD must exist: depend on its release). */
export function newTargetGroupBinding(name: string, args: TargetGroupBindingArgs, opts: pulumi.CustomResourceOptions) {
    return new k8s.apiextensions.CustomResource(name, {
        apiVersion: TARGET_GROUP_BINDING_API,
        kind: "TargetGroupBinding",
        metadata: { name: args.serviceName, namespace: args.namespace },
        spec: pulumi
            .all([args.targetGroupArn, args.loadBalancerSecurityGroupId])
            .apply(([targetGroupArn, loadBalancerSecurityGroupId]) =>
                targetGroupBindingSpec({ targetGroupArn, serviceName: args.serviceName, servicePort: args.servicePort, containerPort: args.containerPort, loadBalancerSecurityGroupId })),
    }, opts);
}

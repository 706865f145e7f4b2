/**
 * The inputs of the `aws:*` resources this project renders whose change makes the provider replace the resource
 * (delete and create) instead of updating it, so a pull request's diff can say so before anyone applies it.
 *
 * Source: the Terraform provider that @pulumi/aws 7.48.0 bridges, hashicorp/terraform-provider-aws, the file named
 * in each row (`ForceNew: true` in an SDKv2 schema, `RequiresReplace()` in a Plugin Framework one), Terraform names
 * in Pulumi's camelCase. Read 2026-12-05 from stored copies of v6 (v6.3–v6.36; pulumi-aws 7.48.0 builds on v6.61 or
 * later): an argument added upstream since (a target group's `targetControlPort`, a webhook's `manualCreation`) is
 * not listed, and the conditional replacements (a load balancer's `subnetMappings`, an SSM parameter's tier going
 * down, a security group rule switching its kind of source) are not marked. The real `pulumi preview --diff` of a
 * same-repository pull request stays the authority; this table makes the credential-free diff say it too.
 *
 * `region`: every regional resource of provider v6 takes a `region` input whose change replaces it, except between
 * unset and the provider's own region (internal/provider/sdkv2/region.go, forceNewIfRegionChanges); IAM and
 * Route 53 are global.
 */
export interface AwsReplacement {
    /** The upstream file the inputs were read from. */
    source: string;
    inputs: string[];
    regional: boolean;
}

export const AWS_REPLACEMENTS: Record<string, AwsReplacement> = {
    "aws:cloudwatch/logGroup:LogGroup": { source: "internal/service/logs/group.go", inputs: ["logGroupClass", "name", "namePrefix"], regional: true },
    "aws:codebuild/project:Project": { source: "internal/service/codebuild/project.go", inputs: ["name"], regional: true },
    "aws:codebuild/webhook:Webhook": { source: "internal/service/codebuild/webhook.go", inputs: ["projectName"], regional: true },
    "aws:ec2/launchTemplate:LaunchTemplate": { source: "internal/service/ec2/ec2_launch_template.go", inputs: ["name", "namePrefix"], regional: true },
    "aws:ec2/route:Route": {
        source: "internal/service/ec2/vpc_route.go",
        inputs: ["destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId", "routeTableId"],
        regional: true,
    },
    "aws:ec2/securityGroup:SecurityGroup": { source: "internal/service/ec2/vpc_security_group.go", inputs: ["description", "name", "namePrefix", "vpcId"], regional: true },
    "aws:ec2/securityGroupRule:SecurityGroupRule": {
        source: "internal/service/ec2/vpc_security_group_rule.go",
        inputs: ["cidrBlocks", "fromPort", "ipv6CidrBlocks", "prefixListIds", "protocol", "securityGroupId", "self", "sourceSecurityGroupId", "toPort", "type"],
        regional: true,
    },
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": {
        source: "internal/service/ec2/vpc_peering_connection.go",
        inputs: ["peerOwnerId", "peerRegion", "peerVpcId", "vpcId"],
        regional: true,
    },
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": {
        source: "internal/service/ec2/vpc_peering_connection_accepter.go",
        inputs: ["vpcPeeringConnectionId"],
        regional: true,
    },
    "aws:eks/accessEntry:AccessEntry": { source: "internal/service/eks/access_entry.go", inputs: ["clusterName", "principalArn", "type"], regional: true },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
        source: "internal/service/eks/access_policy_association.go",
        inputs: ["accessScope", "clusterName", "policyArn", "principalArn"],
        regional: true,
    },
    "aws:eks/addon:Addon": { source: "internal/service/eks/addon.go", inputs: ["addonName", "clusterName"], regional: true },
    "aws:iam/role:Role": { source: "internal/service/iam/role.go", inputs: ["name", "namePrefix", "path"], regional: false },
    "aws:iam/rolePolicy:RolePolicy": { source: "internal/service/iam/role_policy.go", inputs: ["name", "namePrefix", "role"], regional: false },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { source: "internal/service/iam/role_policy_attachment.go", inputs: ["policyArn", "role"], regional: false },
    "aws:kms/alias:Alias": { source: "internal/service/kms/alias.go", inputs: ["name", "namePrefix"], regional: true },
    "aws:kms/key:Key": {
        source: "internal/service/kms/key.go",
        inputs: ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"],
        regional: true,
    },
    "aws:lb/listener:Listener": { source: "internal/service/elbv2/listener.go", inputs: ["loadBalancerArn"], regional: true },
    "aws:lb/listenerRule:ListenerRule": { source: "internal/service/elbv2/listener_rule.go", inputs: ["listenerArn"], regional: true },
    "aws:lb/loadBalancer:LoadBalancer": {
        source: "internal/service/elbv2/load_balancer.go",
        inputs: ["customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix"],
        regional: true,
    },
    "aws:lb/targetGroup:TargetGroup": {
        source: "internal/service/elbv2/target_group.go",
        inputs: ["ipAddressType", "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId"],
        regional: true,
    },
    "aws:route53/record:Record": { source: "internal/service/route53/record.go", inputs: ["name", "zoneId"], regional: false },
    "aws:ssm/parameter:Parameter": { source: "internal/service/ssm/parameter.go", inputs: ["dataType", "name"], regional: true },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        source: "internal/service/ec2/vpc_security_group_ingress_rule.go",
        inputs: ["securityGroupId"],
        regional: true,
    },
};

/**
 * The real AWS clients, one per service and region, created on first use. Adapters take a `(region) => client`
 * function instead, so tests hand them aws-sdk-client-mock stubs.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { STSClient } from "@aws-sdk/client-sts";

export type ClientFor<T> = (region: string) => T;

/** One client per region, reused: each holds its own connection pool and credential cache. */
export function perRegion<T>(create: (region: string) => T): ClientFor<T> {
    const clients = new Map<string, T>();
    return (region) => {
        let client = clients.get(region);
        if (client === undefined) {
            client = create(region);
            clients.set(region, client);
        }
        return client;
    };
}

export interface AwsClients {
    cloudwatch: ClientFor<CloudWatchClient>;
    elbv2: ClientFor<ElasticLoadBalancingV2Client>;
    ec2: ClientFor<EC2Client>;
    eks: ClientFor<EKSClient>;
    dynamodb: ClientFor<DynamoDBClient>;
    sts: ClientFor<STSClient>;
}

/** Credentials come from the default provider chain (environment, SSO profile, instance or OIDC role in CI). */
export function awsClients(): AwsClients {
    return {
        cloudwatch: perRegion((region) => new CloudWatchClient({ region })),
        elbv2: perRegion((region) => new ElasticLoadBalancingV2Client({ region })),
        ec2: perRegion((region) => new EC2Client({ region })),
        eks: perRegion((region) => new EKSClient({ region })),
        dynamodb: perRegion((region) => new DynamoDBClient({ region })),
        sts: perRegion((region) => new STSClient({ region })),
    };
}

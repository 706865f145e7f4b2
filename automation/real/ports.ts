/**
 * The real ports (`--engine pulumi`): the Automation API over this repository's Pulumi project, AWS through
 * the default credential chain, Kubernetes through `aws eks get-token`. Settings come from the environment:
 *
 *   MITENE_LEASE_TABLE   DynamoDB table of the env leases (partition key `env`, string), which also holds each
 *                        env's stop-the-line switch (`<env>#halt`) and latest rollout plan. Default mitene-leases.
 *   MITENE_LEASE_REGION  its region. Default AWS_REGION, else ap-northeast-1.
 *   MITENE_JOURNAL_DIR   where the journal is written. Default .mitene/journal (CI uploads it as an artifact).
 *   MITENE_SECRETS_PROVIDER  secrets provider of the stacks the driver creates (the new color's), e.g.
 *                        awskms://alias/mitene-pulumi?region=ap-northeast-1. Default: the backend's.
 *
 * The command says which of the env's roles the run is (a rollback the rollback role, every other command the
 * deploy role): the driver sets MITENE_ACCESS for the stacks it runs, and its own Kubernetes reads present a
 * token for that role, named in the env's committed Ops stack file.
 */
import * as path from "node:path";
import { RealClock } from "../core/clock";
import { DriverPorts } from "../core/context";
import { realJournalDir } from "../record/journalLocation";
import { DEFAULT_SCENARIO } from "../scenario/scenario";
import { opsStack } from "../../components/naming";
import { ACCESS_VARIABLE, Access, ROLE_KEYS } from "../../stacks/config/access";
import { STACKS_DIR, readStackFile, stackFilePath } from "../../stacks/stackFiles";
import { awsClients } from "./clients";
import { CloudWatchMetrics } from "./cloudwatchMetrics";
import { DynamoEnvControl } from "./dynamoControl";
import { DynamoLeaseStore } from "./dynamoLease";
import { Ec2Subnets } from "./ec2Subnets";
import { EksInsights } from "./eksInsights";
import { Elbv2Weights } from "./elbv2Weights";
import { FileJournal } from "../record/fileJournal";
import { ArgoCdHealth, KubernetesClusterJobs, eksClusterAccess, opsClusterAccess } from "./kubernetes";
import { PulumiEngine } from "./pulumiEngine";
import { StsIdentity } from "./stsIdentity";

/** The repository root: where Pulumi.yaml is. */
export const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** Which env a command runs on, and as which of its roles. */
export interface RealRun {
    env: string;
    access: Access;
}

/**
 * What a run of `access` in `env` is: the role its Kubernetes reads present a token for, as the env's Ops stack
 * file names it (every stack of the env names the same), and the environment its stack programs get.
 */
export function realRunIdentity(run: RealRun, stacksDir = STACKS_DIR): { roleArn: string; programEnv: Record<string, string> } {
    const role = readStackFile(opsStack(run.env), stacksDir)[`mitene:${ROLE_KEYS[run.access]}`];
    if (typeof role !== "string") throw new Error(`${stackFilePath(opsStack(run.env), stacksDir)} has no mitene:${ROLE_KEYS[run.access]}`);
    return { roleArn: role, programEnv: { [ACCESS_VARIABLE]: run.access } };
}

export async function createRealPorts(cwd: string, run: RealRun, settings: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = () => undefined): Promise<DriverPorts> {
    const clock = new RealClock();
    const aws = awsClients();
    const { roleArn, programEnv } = realRunIdentity(run);
    const engine = new PulumiEngine({ workDir: REPOSITORY_ROOT, sleep: (ms, signal) => clock.sleep(ms, signal), warn, secretsProvider: settings.MITENE_SECRETS_PROVIDER, env: programEnv });
    const leaseRegion = settings.MITENE_LEASE_REGION ?? settings.AWS_REGION ?? "ap-northeast-1";
    return {
        kind: "pulumi",
        stacksDir: STACKS_DIR,
        // Typical AWS durations, for the time-left estimate only.
        durations: DEFAULT_SCENARIO,
        engine,
        clock,
        metrics: new CloudWatchMetrics(aws.cloudwatch),
        argo: new ArgoCdHealth(opsClusterAccess(engine), roleArn),
        jobs: new KubernetesClusterJobs(eksClusterAccess(aws.eks), roleArn),
        loadBalancer: new Elbv2Weights(aws.elbv2),
        subnets: new Ec2Subnets(aws.ec2),
        insights: new EksInsights(aws.eks),
        identity: new StsIdentity(aws.sts),
        lease: new DynamoLeaseStore(aws.dynamodb(leaseRegion), settings.MITENE_LEASE_TABLE ?? "mitene-leases"),
        // The stop-the-line switch and the latest rollout plan: items of the same table, beside the lease.
        control: new DynamoEnvControl(aws.dynamodb(leaseRegion), settings.MITENE_LEASE_TABLE ?? "mitene-leases"),
        journal: new FileJournal(realJournalDir(cwd, settings)),
    };
}

/**
 * The network between the Ops VPC and the region VPCs, and the CI runners inside it: the peering component,
 * the runner component and its role, and the env-wide checks over the stack files (account, CIDR clashes).
 */
import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import fc from "fast-check";
import { CI_RUNNERS, CiRunner, CiRunnerArgs, DEFAULT_RUNNER_IMAGE, ciRunnerProblems, runnerWebhookFilters } from "../../components/ciRunner";
import { runnerRolePolicy } from "../../components/iamPolicies";
import { parseStackName } from "../../components/naming";
import { OpsPeering, OpsPeeringArgs } from "../../components/opsPeering";
import { cidrClashes } from "../../components/subnetPlan";
import { ArgsError } from "../../components/validation";
import { EnvStackFile, envAccountProblems, envCidrProblems, envProblems } from "../../stacks/envChecks";
import { listStacks, readStackFile } from "../../stacks/stackFiles";
import { Run, constructedAfter, parseJson, runComponent, runFailing, stackConfig, usesProvider } from "../helpers/harness";
import { programFor } from "../../stacks/programs";

const PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
const ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter";
const ROUTE = "aws:ec2/route:Route";

function peering(overrides: Partial<Omit<OpsPeeringArgs, "provider" | "opsProvider">> = {}) {
    return () => {
        const provider = new aws.Provider("aws-us-west-2", { region: "us-west-2" });
        const opsProvider = new aws.Provider("aws-ops-ap-northeast-1", { region: "ap-northeast-1" });
        new OpsPeering("ops-peering", {
            provider,
            opsProvider,
            accountId: "123456789012",
            region: { region: "us-west-2", vpcId: "vpc-region", cidr: "10.30.0.0/16", privateRouteTableIds: ["rtb-r1", "rtb-r2", "rtb-r3"] },
            ops: { region: "ap-northeast-1", vpcId: "vpc-ops", cidr: "10.100.0.0/16", privateRouteTableIds: ["rtb-o1", "rtb-o2"] },
            ...overrides,
        });
    };
}

describe("OpsPeering: a region VPC connected to the Ops VPC in another region", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(peering());
    });
    const provider = (name: string) => run.one("pulumi:providers:aws", name);

    it("requests the peering from the region's VPC to the Ops VPC in the Ops region, in the env's account", () => {
        const request = run.one(PEERING);
        assert.deepEqual(
            [request.inputs.vpcId, request.inputs.peerVpcId, request.inputs.peerRegion, request.inputs.peerOwnerId, request.inputs.autoAccept],
            ["vpc-region", "vpc-ops", "ap-northeast-1", "123456789012", undefined],
        );
        assert.ok(usesProvider(request, provider("aws-us-west-2")));
    });

    it("accepts it on the Ops side with the Ops region's provider", () => {
        const accepter = run.one(ACCEPTER);
        assert.deepEqual([accepter.inputs.vpcPeeringConnectionId, accepter.inputs.autoAccept], [run.one(PEERING).id, true]);
        assert.ok(usesProvider(accepter, provider("aws-ops-ap-northeast-1")));
    });

    it("routes every private route table of each side to the other VPC through the accepted peering", () => {
        const routes = run.ofType(ROUTE);
        const toOps = routes.filter((r) => r.name.includes("-to-ops-"));
        const fromOps = routes.filter((r) => r.name.includes("-from-ops-"));
        assert.deepEqual(toOps.map((r) => [r.inputs.routeTableId, r.inputs.destinationCidrBlock]), [["rtb-r1", "10.100.0.0/16"], ["rtb-r2", "10.100.0.0/16"], ["rtb-r3", "10.100.0.0/16"]]);
        assert.deepEqual(fromOps.map((r) => [r.inputs.routeTableId, r.inputs.destinationCidrBlock]), [["rtb-o1", "10.30.0.0/16"], ["rtb-o2", "10.30.0.0/16"]]);
        for (const r of routes) assert.equal(r.inputs.vpcPeeringConnectionId, run.one(ACCEPTER).id);
        for (const r of toOps) assert.ok(usesProvider(r, provider("aws-us-west-2")));
        for (const r of fromOps) assert.ok(usesProvider(r, provider("aws-ops-ap-northeast-1")));
    });

    const cases: { title: string; overrides: Partial<OpsPeeringArgs>; message: RegExp }[] = [
        {
            title: "a region VPC overlapping the Ops VPC",
            overrides: { region: { region: "us-west-2", vpcId: "vpc-region", cidr: "10.100.128.0/17", privateRouteTableIds: ["rtb-r1"] } },
            message: /region VPC 10\.100\.128\.0\/17 overlaps the Ops VPC 10\.100\.0\.0\/16/,
        },
        { title: "a region without private route tables", overrides: { region: { region: "us-west-2", vpcId: "vpc-region", cidr: "10.30.0.0/16", privateRouteTableIds: [] } }, message: /region VPC has no private route tables/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.title} before any resource exists`, async () => {
            const failed = await runFailing(peering(c.overrides));
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ArgsError, String(cause));
            assert.match(cause.problems.join("\n"), c.message);
            assert.deepEqual(constructedAfter(failed, "mitene:network:OpsPeering"), []);
        });
    }
});

const RUNNER: Omit<CiRunnerArgs, "provider"> = {
    projectName: "mitene-prod-deploy-runner",
    vpcId: "vpc-ops",
    subnetIds: ["subnet-a", "subnet-b"],
    repositoryUrl: "https://github.com/mitene/platform",
    connectionArn: "arn:aws:codeconnections:ap-northeast-1:123456789012:connection/0000-1111",
    ...CI_RUNNERS.deploy,
};

function runner(overrides: Partial<CiRunnerArgs> = {}) {
    return () => {
        const provider = new aws.Provider("aws", { region: "ap-northeast-1" });
        new CiRunner("ci", { provider, ...RUNNER, ...overrides });
    };
}

describe("CiRunner: CodeBuild-hosted GitHub Actions runners in the Ops VPC", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(runner());
    });
    const project = () => run.one("aws:codebuild/project:Project").inputs;

    it("names the project so workflows can ask for codebuild-<project>-<run id>-<attempt>", () => assert.equal(project().name, "mitene-prod-deploy-runner"));
    it("starts a build only for queued jobs of its own workflows (WORKFLOW_JOB_QUEUED and WORKFLOW_NAME in one filter group)", () => {
        const hook = run.one("aws:codebuild/webhook:Webhook").inputs;
        assert.equal(hook.projectName, "mitene-prod-deploy-runner");
        assert.deepEqual(hook.filterGroups, [{ filters: [
            { type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" },
            { type: "WORKFLOW_NAME", pattern: "^(Deploy|Discard|Ops upgrade|Rollback|Stop the line|Upgrade)$" },
        ] }]);
    });
    it("with actor account IDs, starts builds only for jobs those GitHub accounts queued, exactly", () => {
        const filters = runnerWebhookFilters(["Deploy"], ["5823", "17"]);
        assert.deepEqual(filters[2], { type: "ACTOR_ACCOUNT_ID", pattern: "^(17|5823)$" });
        const pattern = new RegExp(filters[2].pattern);
        for (const id of ["17", "5823"]) assert.ok(pattern.test(id), id);
        for (const id of ["175823", "1", "58230", ""]) assert.ok(!pattern.test(id), id);
        assert.deepEqual(ciRunnerProblems({ ...RUNNER, provider: undefined as never, actorAccountIds: ["octocat"] }), ['actor account ID "octocat" is not a GitHub account ID (a number)']);
    });
    it("the ops stack narrows only the deploy runner to mitene:ciRunner.deployActorAccountIds (pull requests come from anyone)", async () => {
        const { values, secretKeys } = stackConfig("ops-prod");
        const config = { ...values, "mitene:ciRunner": JSON.stringify({ ...JSON.parse(values["mitene:ciRunner"]), deployActorAccountIds: ["17"] }) };
        const ops = await runComponent(() => programFor("ops-prod")(config), { stack: "ops-prod", config, secretKeys });
        const filters = (kind: string) => (ops.one("aws:codebuild/webhook:Webhook", `ci-${kind}-runner`).inputs as { filterGroups: { filters: { type: string }[] }[] }).filterGroups[0].filters.map((f: { type: string }) => f.type);
        assert.deepEqual(filters("deploy"), ["EVENT", "WORKFLOW_NAME", "ACTOR_ACCOUNT_ID"]);
        assert.deepEqual(filters("preview"), ["EVENT", "WORKFLOW_NAME"]);
    });
    it("pins workflow names exactly: no other name, no prefix or suffix, matches", () => {
        const pattern = new RegExp(runnerWebhookFilters(["Preview", "a.b (c)"])[1].pattern);
        for (const name of ["Preview", "a.b (c)"]) assert.ok(pattern.test(name), name);
        for (const name of ["Preview2", "My Preview", "axb (c)", "Deploy", ""]) assert.ok(!pattern.test(name), name);
    });
    it("runs builds in the given private subnets with an egress-only security group", () => {
        const group = run.one("aws:ec2/securityGroup:SecurityGroup", "ci-runner");
        assert.deepEqual(project().vpcConfig, { vpcId: "vpc-ops", subnets: ["subnet-a", "subnet-b"], securityGroupIds: [group.id] });
        assert.equal(group.inputs.ingress, undefined);
    });
    it("reads the repository through the CodeConnections connection, on the curated Amazon Linux image", () => {
        assert.deepEqual(project().source, { type: "GITHUB", location: RUNNER.repositoryUrl, auth: { type: "CODECONNECTIONS", resource: RUNNER.connectionArn } });
        assert.deepEqual(project().environment, { type: "LINUX_CONTAINER", computeType: "BUILD_GENERAL1_MEDIUM", image: DEFAULT_RUNNER_IMAGE });
        assert.equal(project().buildTimeout, CI_RUNNERS.deploy.buildTimeoutMinutes);
    });
    it("creates the project only after its role may manage the builds' network interfaces", () => {
        assert.ok(run.dependsOn(run.one("aws:codebuild/project:Project"), run.one("aws:iam/rolePolicy:RolePolicy", "ci-runner").object!));
    });
    it("describes which workflows it runs", () => {
        assert.equal(project().description, "GitHub Actions runners inside the Ops VPC for: Deploy, Upgrade, Ops upgrade, Rollback, Discard, Stop the line");
    });
    it("gives its service role to CodeBuild only, with the runner policy for its own log group and subnets", () => {
        const role = run.one("aws:iam/role:Role", "ci-runner");
        // A fixed name, the project's: docs and the IAM tests name it before it exists.
        assert.equal(role.inputs.name, "mitene-prod-deploy-runner");
        assert.deepEqual(parseJson<{ Statement: unknown[] }>(role.inputs.assumeRolePolicy).Statement, [
            { Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: ["sts:AssumeRole"] },
        ]);
        assert.equal(project().serviceRole, role.state.arn);
        const policy = parseJson(run.one("aws:iam/rolePolicy:RolePolicy", "ci-runner").inputs.policy);
        assert.deepEqual(policy, runnerRolePolicy({
            partition: "aws", accountId: "123456789012", region: "ap-northeast-1", logGroupName: "/mitene/ci/mitene-prod-deploy-runner",
            subnetIds: ["subnet-a", "subnet-b"], connectionArn: RUNNER.connectionArn,
        }));
    });

    const cases: { title: string; overrides: Partial<CiRunnerArgs>; message: RegExp }[] = [
        { title: "a repository that is not on GitHub", overrides: { repositoryUrl: "https://gitlab.com/mitene/platform" }, message: /repositoryUrl .* must be https:\/\/github\.com/ },
        { title: "a connection that is not a CodeConnections ARN", overrides: { connectionArn: "arn:aws:iam::123456789012:role/x" }, message: /not a CodeConnections connection ARN/ },
        { title: "no workflow to take jobs from", overrides: { workflowNames: [] }, message: /workflowNames is empty/ },
        { title: "a workflow name spanning lines", overrides: { workflowNames: ["Deploy\nPreview"] }, message: /is not a workflow name/ },
        { title: "a build timeout CodeBuild refuses", overrides: { buildTimeoutMinutes: 3000 }, message: /outside CodeBuild's 5\.\.2160/ },
        { title: "a project name too long for its role", overrides: { projectName: "x".repeat(65) }, message: /is not a CodeBuild project and IAM role name/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.title} before any resource exists`, async () => {
            const failed = await runFailing(runner(c.overrides));
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ArgsError, String(cause));
            assert.match(cause.problems.join("\n"), c.message);
            assert.deepEqual(constructedAfter(failed, "mitene:ci:CiRunner"), []);
        });
    }
});

describe("runnerRolePolicy: least privilege", () => {
    const scope = {
        partition: "aws", accountId: "123456789012", region: "ap-northeast-1", logGroupName: "/mitene/ci/mitene-prod-deploy-runner",
        subnetIds: ["subnet-a"], connectionArn: RUNNER.connectionArn,
    };
    const doc = runnerRolePolicy(scope);
    const statement = (sid: string) => doc.Statement.find((s) => s.Sid === sid)!;

    it("may assume no role and touch no IAM (the IAM simulator's table in test/identity proves what it can reach)", () => {
        assert.deepEqual(doc.Statement.flatMap((s) => s.Action).filter((a) => /^(sts|iam):/.test(a)), []);
    });
    it("creates network interface permissions only for CodeBuild, in its own subnets", () => {
        assert.deepEqual(statement("VpcNetworkInterfacePermission").Condition, {
            StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" },
            ArnEquals: { "ec2:Subnet": ["arn:aws:ec2:ap-northeast-1:123456789012:subnet/subnet-a"] },
        });
    });
    it("writes only its own log group", () => {
        const group = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/mitene/ci/mitene-prod-deploy-runner";
        assert.deepEqual(statement("Logs").Resource, [group, `${group}:log-stream:*`]);
    });
    it("uses the connection with the connection's own service prefix", () => {
        assert.deepEqual(statement("GitHubConnection").Action, ["codeconnections:GetConnectionToken", "codeconnections:GetConnection"]);
        const older = runnerRolePolicy({ ...scope, connectionArn: "arn:aws:codestar-connections:ap-northeast-1:123456789012:connection/x" });
        assert.deepEqual(older.Statement.find((s) => s.Sid === "GitHubConnection")!.Action, ["codestar-connections:GetConnectionToken", "codestar-connections:GetConnection"]);
    });
    it("has no wildcard action, and no write on \"*\" except creating the builds' network interfaces", () => {
        for (const s of doc.Statement) {
            for (const action of s.Action) assert.doesNotMatch(action, /\*/);
            if (s.Resource === "*") assert.deepEqual(s.Action.filter((a) => !/:(Describe|Get|List)/.test(a)), ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"], s.Sid);
        }
    });
});

describe("OpsPeering: a region VPC in the Ops region (same account and region)", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(peering({ region: { region: "ap-northeast-1", vpcId: "vpc-region", cidr: "10.20.0.0/16", privateRouteTableIds: ["rtb-r1"] } }));
    });

    // One object: an accepter resource would manage the same connection, and its Name tag would fight the requester's.
    it("is one connection accepted by its own autoAccept, with no accepter resource and no peerRegion", () => {
        const connection = run.one(PEERING);
        assert.deepEqual([connection.inputs.autoAccept, connection.inputs.peerRegion, connection.inputs.peerOwnerId], [true, undefined, "123456789012"]);
        assert.deepEqual(run.ofType(ACCEPTER), []);
        assert.equal(connection.state.acceptStatus, "active");
    });
    it("tags the connection once", () => assert.deepEqual(run.one(PEERING).inputs.tags, { Name: "ops-peering to the Ops VPC" }));
    it("routes both ways through that connection", () => {
        const routes = run.ofType(ROUTE);
        assert.equal(routes.length, 3);
        for (const route of routes) assert.equal(route.inputs.vpcPeeringConnectionId, run.one(PEERING).id);
    });
});

const file = (stack: string, config: Record<string, unknown>): EnvStackFile => ({ stack, config });
const account = (id: string, role?: string) => ({ "mitene:accountId": id, ...(role ? { "mitene:deployRoleArn": role } : {}) });

describe("envChecks: every stack of an env in one account, VPCs that do not overlap", () => {
    it("finds nothing wrong with stacks that agree", () => {
        const role = "arn:aws:iam::123456789012:role/deploy";
        assert.deepEqual(envAccountProblems([file("ops-prod", account("123456789012", role)), file("region-prod-us-west-2", account("123456789012", role))]), []);
    });

    it("names every stack and value when stacks disagree on the account or the role", () => {
        const problems = envAccountProblems([
            file("ops-prod", account("123456789012", "arn:aws:iam::123456789012:role/deploy")),
            file("region-prod-us-west-2", account("210987654321", "arn:aws:iam::123456789012:role/deploy")),
            file("mitene-prod-us-west-2-blue", account("123456789012")),
        ]);
        assert.deepEqual(problems, [
            "the env's stacks disagree on mitene:accountId: 123456789012 in ops-prod, mitene-prod-us-west-2-blue; 210987654321 in region-prod-us-west-2",
            "the env's stacks disagree on mitene:deployRoleArn: arn:aws:iam::123456789012:role/deploy in ops-prod, region-prod-us-west-2; (unset) in mitene-prod-us-west-2-blue",
        ]);
    });

    it("holds the preview and rollback roles to one value across the env too", () => {
        const role = (access: string, env: string) => ({ [`mitene:${access}RoleArn`]: `arn:aws:iam::123456789012:role/mitene-${env}-${access}` });
        const problems = envAccountProblems([
            file("ops-prod", { ...account("123456789012"), ...role("preview", "prod"), ...role("rollback", "prod") }),
            file("region-prod-us-west-2", { ...account("123456789012"), ...role("preview", "staging"), ...role("rollback", "prod") }),
        ]);
        assert.deepEqual(problems, [
            "the env's stacks disagree on mitene:previewRoleArn: arn:aws:iam::123456789012:role/mitene-prod-preview in ops-prod; arn:aws:iam::123456789012:role/mitene-staging-preview in region-prod-us-west-2",
        ]);
    });

    it("reports every clash of the Ops and region VPCs in one problem, ignoring cluster stacks", () => {
        const problems = envCidrProblems([
            file("ops-prod", { "mitene:vpcCidr": "10.100.0.0/16" }),
            file("region-prod-ap-northeast-1", { "mitene:vpcCidr": "10.100.128.0/17" }),
            file("region-prod-us-west-2", { "mitene:vpcCidr": "10.0.0.0/8" }),
            file("mitene-prod-us-west-2-blue", { "mitene:vpcCidr": "10.100.0.0/16" }),
        ]);
        assert.deepEqual(problems, [
            "VPC CIDRs of peered VPCs overlap: ops-prod 10.100.0.0/16 overlaps region-prod-ap-northeast-1 10.100.128.0/17; " +
                "ops-prod 10.100.0.0/16 overlaps region-prod-us-west-2 10.0.0.0/8; region-prod-ap-northeast-1 10.100.128.0/17 overlaps region-prod-us-west-2 10.0.0.0/8",
        ]);
    });

    it("reports a CIDR it cannot read instead of throwing", () => {
        assert.match(envCidrProblems([file("ops-prod", { "mitene:vpcCidr": "10.100.1.0/16" })]).join(), /ops-prod: mitene:vpcCidr .*not aligned/);
    });

    it("property: disjoint /16s never clash; a block always clashes with itself", () => {
        fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 2, maxLength: 8 }), (seconds) => {
            const blocks = seconds.map((n) => ({ name: `v${n}`, cidr: `10.${n}.0.0/16` }));
            assert.deepEqual(cidrClashes(blocks), []);
            assert.equal(cidrClashes([...blocks, blocks[0]]).length, 1);
        }));
    });

    for (const env of [...new Set(listStacks().map((s) => parseStackName(s)!.env))]) {
        it(`the committed stacks of ${env} agree on one account and role, and their VPCs do not overlap`, () => {
            const files = listStacks().filter((s) => parseStackName(s)!.env === env).map((stack) => file(stack, readStackFile(stack)));
            assert.deepEqual(envProblems(files), []);
        });
    }

    it("the committed envs live in different accounts (one account per env)", () => {
        const accounts = new Map(listStacks().map((s) => [parseStackName(s)!.env, String(readStackFile(s)["mitene:accountId"])]));
        assert.equal(new Set(accounts.values()).size, accounts.size);
    });
});

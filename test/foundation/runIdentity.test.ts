/**
 * Who a run is, across every committed stack: MITENE_ACCESS picks one of the env's roles, and every AWS
 * provider assumes it and every Kubernetes client presents a token for it, and no other. Ambient credentials
 * never act: a provider without assumeRoles or a kubeconfig without a role fails these tests.
 */
import { strict as assert } from "node:assert";
import { parseStackName } from "../../components/naming";
import { ACCESS_LEVELS, Access, ROLE_KEYS } from "../../stacks/config/access";
import { ConfigError } from "../../stacks/config/load";
import { programFor } from "../../stacks/programs";
import { listStacks } from "../../stacks/stackFiles";
import { Run, causeMessages, runFailing, runStack, runStackFailing, stackConfig } from "../helpers/harness";

const RANK = { ops: 0, region: 1, cluster: 2 } as const;
const ENVS = [...new Set(listStacks().map((s) => parseStackName(s)!.env))].sort();
const stacksOf = (env: string) => listStacks().filter((s) => parseStackName(s)!.env === env).sort((a, b) => RANK[parseStackName(a)!.kind] - RANK[parseStackName(b)!.kind]);

/** Every committed stack of `env`, in order, each answering the next ones' StackReferences. */
async function runEnv(env: string, access: Access | undefined, preview: boolean): Promise<Map<string, Run>> {
    const outputs: Record<string, Record<string, unknown>> = {};
    const runs = new Map<string, Run>();
    for (const stack of stacksOf(env)) {
        const run = await runStack(stack, outputs, { settings: access ? { MITENE_ACCESS: access } : {}, preview });
        runs.set(stack, run);
        outputs[stack] = run.outputs;
    }
    return runs;
}

const roleOf = (env: string, access: Access) => stackConfig(`ops-${env}`).values[`mitene:${ROLE_KEYS[access]}`];

/** The role each of a kubeconfig's users signs its token with (`--role-arn`, or pulumi-eks's `--role`). */
function kubeconfigRoles(kubeconfig: unknown): (string | undefined)[] {
    const config = JSON.parse(kubeconfig as string) as { users: { user: { exec?: { args?: string[] } } }[] };
    return config.users.map(({ user }) => {
        const args = user.exec?.args ?? [];
        const index = args.findIndex((arg) => arg === "--role-arn" || arg === "--role");
        return index >= 0 ? args[index + 1] : undefined;
    });
}

/** Who each identity-bearing input of a run names: AWS providers, Kubernetes providers, the EKS components' kubeconfig option. */
function identities(run: Run): { what: string; roles: (string | undefined)[] }[] {
    return [
        ...run.ofType("pulumi:providers:aws").map((p) => ({ what: `aws provider ${p.name}`, roles: (JSON.parse((p.inputs.assumeRoles as string | undefined) ?? "[]") as { roleArn: string }[]).map((a) => a.roleArn) })),
        ...run.ofType("pulumi:providers:kubernetes").map((p) => ({ what: `kubernetes provider ${p.name}`, roles: kubeconfigRoles(p.revealed.kubeconfig) })),
        ...run.ofType("eks:index:Cluster").map((c) => ({ what: `eks cluster ${c.name}`, roles: [(c.inputs.providerCredentialOpts as { roleArn?: string } | undefined)?.roleArn] })),
    ];
}

for (const env of ENVS) {
    describe(`run identity: every stack of ${env}`, function () {
        for (const access of ACCESS_LEVELS) {
            describe(`MITENE_ACCESS=${access}`, () => {
                let runs: Map<string, Run>;
                before(async () => {
                    // A preview role only previews; the others are exercised as updates.
                    runs = await runEnv(env, access, access === "preview");
                });

                it(`names the ${access} role in every AWS provider, Kubernetes provider and EKS kubeconfig, and no other role`, () => {
                    const expected = roleOf(env, access);
                    const others = ACCESS_LEVELS.filter((a) => a !== access).map((a) => roleOf(env, a));
                    for (const [stack, run] of runs) {
                        const found = identities(run);
                        assert.ok(found.some((f) => f.what.startsWith("aws provider")), `${stack} has no AWS provider`);
                        for (const { what, roles } of found) {
                            assert.ok(roles.length > 0, `${stack}: ${what} names no role (ambient credentials)`);
                            for (const role of roles) assert.equal(role, expected, `${stack}: ${what}`);
                        }
                        const providerInputs = JSON.stringify([...run.ofType("pulumi:providers:aws"), ...run.ofType("pulumi:providers:kubernetes")].map((p) => p.revealed));
                        for (const other of others) assert.ok(!providerInputs.includes(other), `${stack}: a provider names ${other}`);
                    }
                });

                it("gives the cluster stacks' Kubernetes providers, their own cluster's and the Ops cluster's, a token for that role", () => {
                    for (const [stack, run] of runs) {
                        if (parseStackName(stack)!.kind !== "cluster") continue;
                        for (const name of ["svc-cluster-k8s", "ops"]) {
                            assert.deepEqual(kubeconfigRoles(run.one("pulumi:providers:kubernetes", name).revealed.kubeconfig), [roleOf(env, access)], `${stack} ${name}`);
                        }
                    }
                });
            });
        }
    });
}

describe("run identity: refusals, before any resource exists", () => {
    const stacks = ENVS.flatMap(stacksOf);
    const kinds = [...new Set(stacks.map((s) => parseStackName(s)!.kind))].map((kind) => stacks.find((s) => parseStackName(s)!.kind === kind)!);

    for (const stack of kinds) {
        it(`${stack}: MITENE_ACCESS=preview refuses an update (not a preview) with what to use instead`, async () => {
            const failed = await runStackFailing(stack, {}, { settings: { MITENE_ACCESS: "preview" } });
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ConfigError, String(cause));
            assert.deepEqual(cause.problems, ["MITENE_ACCESS: preview runs are read-only (pulumi preview); an update needs MITENE_ACCESS=deploy, or rollback for the rollback path"]);
            assert.deepEqual(failed.constructed, []);
        });

        it(`${stack}: an unknown MITENE_ACCESS is a config error naming the value`, async () => {
            const failed = await runStackFailing(stack, {}, { settings: { MITENE_ACCESS: "admin" } });
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ConfigError, String(cause));
            assert.deepEqual(cause.problems, ['MITENE_ACCESS: "admin" is not one of deploy, preview, rollback']);
        });
    }

    it("an empty MITENE_ACCESS is the default, a deploy", async () => {
        const stack = kinds.find((s) => parseStackName(s)!.kind === "ops")!;
        const run = await runStack(stack, {}, { settings: { MITENE_ACCESS: "" } });
        const [assume] = JSON.parse(run.one("pulumi:providers:aws").inputs.assumeRoles as string) as { roleArn: string }[];
        assert.equal(assume.roleArn, stackConfig(stack).values["mitene:deployRoleArn"]);
    });

    it("a stack file whose roles do not have the env's fixed names fails naming each key and the name expected", async () => {
        const stack = kinds.find((s) => parseStackName(s)!.kind === "cluster")!;
        const env = parseStackName(stack)!.env;
        const { values } = stackConfig(stack);
        const account = values["mitene:accountId"];
        const config = { ...values, "mitene:deployRoleArn": `arn:aws:iam::${account}:role/deployer`, "mitene:rollbackRoleArn": `arn:aws:iam::${account}:role/mitene-${env}-deploy` };
        const failed = await runFailing(() => programFor(stack)(config), { stack, config });
        const [cause] = failed.error.causes;
        assert.ok(cause instanceof ConfigError, causeMessages(failed).join("\n"));
        assert.deepEqual(cause.problems, [
            `mitene:deployRoleArn: expected arn:aws:iam::${account}:role/mitene-${env}-deploy (the deploy role of ${env} has this fixed name), got arn:aws:iam::${account}:role/deployer`,
            `mitene:rollbackRoleArn: expected arn:aws:iam::${account}:role/mitene-${env}-rollback (the rollback role of ${env} has this fixed name), got arn:aws:iam::${account}:role/mitene-${env}-deploy`,
        ]);
        assert.deepEqual(failed.constructed, []);
    });
});

/**
 * `identity`: the trust and permission documents of the env's deploy, preview and rollback roles, which must
 * exist before the first `pulumi up` (docs/first-deploy.md creates them from these files). The facts come
 * from the env's committed stack files (account, regions, repository, the SSO secret's parameter); the
 * bootstrap choices (state bucket, secrets key, lease table, operators) from options with the documented
 * defaults. Writes nothing but DIR/<role>.{trust,policy}.json and the state key's policy.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { accessRolePolicy, stateKeyPolicy } from "../../components/identity/policies";
import { ACCESS_ROLES, IdentityScope, accessRoleArn, accessRoleName, accessRoleTrust, githubEnvironments } from "../../components/identity/roles";
import { parseStackName } from "../../components/naming";
import { readStackFile } from "../../stacks/stackFiles";
import { committedStacks } from "../programs/committedStacks";
import { BadInputError } from "../core/errors";
import { checkEnv } from "./graphs";
import { IDENTITY_DEFAULTS } from "./identityDefaults";

export interface IdentityFlags {
    env: string;
    out: string;
    stacks?: string;
    stateBucket?: string;
    secretsKeyAlias?: string;
    leaseTable?: string;
    leaseRegion?: string;
    operatorRole: string[];
}


const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** The scope of the env's documents: its stack files, then the options. */
export function identityScope(flags: Omit<IdentityFlags, "out">): IdentityScope {
    checkEnv(flags.env, flags.stacks);
    const stacks = committedStacks(flags.env, flags.stacks);
    const ops = stacks.find((s) => parseStackName(s)?.kind === "ops");
    if (!ops) throw new BadInputError(`env ${flags.env} has no ops-${flags.env} stack file: the roles' trusts need its account and repository`);
    const opsConfig = readStackFile(ops, flags.stacks);
    const url = record(opsConfig["mitene:ciRunner"]).repositoryUrl;
    const repositoryUrl = typeof url === "string" ? url : "";
    const repository = repositoryUrl.match(/^https:\/\/github\.com\/([\w.-]+\/[\w.-]+)$/)?.[1];
    if (!repository) throw new BadInputError(`${ops}: mitene:ciRunner.repositoryUrl ${JSON.stringify(repositoryUrl)} is not https://github.com/<owner>/<repo>: the OIDC trusts name the repository`);
    const opsRegion = String(opsConfig["mitene:region"]);
    const leaseRegion = flags.leaseRegion ?? opsRegion;
    for (const [option, value, pattern] of [
        ["--state-bucket", flags.stateBucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/],
        ["--secrets-key-alias", flags.secretsKeyAlias, /^alias\/[\w/-]+$/],
        ["--lease-table", flags.leaseTable, /^[\w.-]{3,255}$/],
        ["--lease-region", flags.leaseRegion, /^[a-z]{2}(-gov)?-[a-z]+-\d$/],
    ] as const) {
        if (value !== undefined && !pattern.test(value)) throw new BadInputError(`${option} ${JSON.stringify(value)} is not valid (expected ${pattern.source})`);
    }
    const accountId = String(opsConfig["mitene:accountId"]);
    for (const pattern of flags.operatorRole) {
        if (!new RegExp(`^arn:aws[a-z-]*:iam::${accountId}:role/[\\w+=,.@/*-]+$`).test(pattern)) {
            throw new BadInputError(`--operator-role ${JSON.stringify(pattern)} is not a role ARN (pattern) in the env's account ${accountId}`);
        }
    }
    return {
        partition: "aws",
        env: flags.env,
        accountId,
        opsRegion,
        regions: stacks.map(parseStackName).flatMap((id) => (id?.kind === "region" ? [id.region] : [])).sort(),
        repository,
        stateBucket: flags.stateBucket ?? IDENTITY_DEFAULTS.stateBucket(flags.env),
        secretsKeyAlias: flags.secretsKeyAlias ?? IDENTITY_DEFAULTS.secretsKeyAlias,
        leaseTable: flags.leaseTable ?? IDENTITY_DEFAULTS.leaseTable,
        leaseRegion,
        ssoClientSecretParameter: record(record(opsConfig["mitene:argocd"]).sso).clientSecretParameter as string | undefined,
        operatorRolePatterns: flags.operatorRole,
    };
}

export interface IdentityResult {
    env: string;
    out: string;
    roles: { role: string; name: string; arn: string; trust: string; policy: string }[];
    /** The key policy of the state's secrets key. */
    stateKeyPolicy: string;
    githubEnvironments: ReturnType<typeof githubEnvironments>;
}

export function identityCommand(flags: IdentityFlags): IdentityResult {
    const scope = identityScope(flags);
    try {
        mkdirSync(flags.out, { recursive: true });
    } catch (error) {
        throw new BadInputError(`--out ${flags.out} cannot be created: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const roles = ACCESS_ROLES.map((access) => {
        const name = accessRoleName(scope.env, access);
        const trust = path.join(flags.out, `${name}.trust.json`);
        const policy = path.join(flags.out, `${name}.policy.json`);
        writeFileSync(trust, JSON.stringify(accessRoleTrust(scope, access), null, 2) + "\n");
        writeFileSync(policy, JSON.stringify(accessRolePolicy(scope, access), null, 2) + "\n");
        return { role: access, name, arn: accessRoleArn(scope, access), trust, policy };
    });
    const keyPolicy = path.join(flags.out, `mitene-${scope.env}-state-key.policy.json`);
    writeFileSync(keyPolicy, JSON.stringify(stateKeyPolicy(scope), null, 2) + "\n");
    return { env: scope.env, out: flags.out, roles, stateKeyPolicy: keyPolicy, githubEnvironments: githubEnvironments(scope.env) };
}

export function formatIdentity(result: IdentityResult): string {
    return [
        `roles of ${result.env} (docs/first-deploy.md creates them from these files):`,
        ...result.roles.map((r) => `  ${r.name.padEnd(24)} ${r.trust}\n  ${"".padEnd(24)} ${r.policy}`),
        `  ${"state key".padEnd(24)} ${result.stateKeyPolicy}`,
        "GitHub environments:",
        ...result.githubEnvironments.map((e) => `  ${e.name.padEnd(24)} ${e.role} role${e.defaultBranchOnly ? ", default branch only" : ""}: ${e.purpose}`),
    ].join("\n");
}

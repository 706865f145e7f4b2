/**
 * Who a run is: `MITENE_ACCESS` (deploy, preview or rollback) chooses which of the env's three roles every
 * AWS provider assumes and every Kubernetes client presents a token for (docs/identity-kubernetes.md). The
 * roles have fixed names, `mitene-<env>-<access>`, so trust policies can name them before they exist; the
 * stack files name them too (reviewable), and these checks hold the two together.
 */

export const ACCESS_LEVELS = ["deploy", "preview", "rollback"] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** The environment variable the stack programs read once, in the config loader. */
export const ACCESS_VARIABLE = "MITENE_ACCESS";
/** A run that does not say is a deploy: `pulumi up` by hand and every existing job keep working. */
export const DEFAULT_ACCESS: Access = "deploy";

/** The stack config keys of the three roles. */
export const ROLE_KEYS = { deploy: "deployRoleArn", preview: "previewRoleArn", rollback: "rollbackRoleArn" } as const satisfies Record<Access, string>;

export type EnvRoles = { [K in (typeof ROLE_KEYS)[Access]]: string };

/** The role a run of `access` uses in the env's account, by convention. */
export const envRoleArn = (accountId: string, env: string, access: Access, partition = "aws") => `arn:${partition}:iam::${accountId}:role/mitene-${env}-${access}`;

/** The partition of an ARN (`aws`, `aws-cn`, ...). */
const partitionOf = (arn: string) => arn.split(":")[1] ?? "aws";

/** Stack config keys whose role is not the env's role of that name; empty when all three follow the convention. */
export function envRoleProblems(env: string, accountId: string, roles: EnvRoles): string[] {
    return ACCESS_LEVELS.flatMap((access) => {
        const key = ROLE_KEYS[access];
        const expected = envRoleArn(accountId, env, access, partitionOf(roles[key]));
        return roles[key] === expected ? [] : [`mitene:${key}: expected ${expected} (the ${access} role of ${env} has this fixed name), got ${roles[key]}`];
    });
}

/** The run's access from the variable's value; undefined means the default. Throws naming a bad value. */
export function parseAccess(value: string | undefined): Access {
    if (value === undefined || value === "") return DEFAULT_ACCESS;
    if (!(ACCESS_LEVELS as readonly string[]).includes(value)) {
        throw new AccessError(`${ACCESS_VARIABLE}: "${value}" is not one of ${ACCESS_LEVELS.join(", ")}`);
    }
    return value as Access;
}

export class AccessError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AccessError";
    }
}

/** The identity a run uses: its access and the role that access maps to. */
export interface RunIdentity {
    access: Access;
    roleArn: string;
}

/** Why a run may not go ahead: a preview run only ever previews (its role cannot write anyway). */
export function accessProblem(access: Access, dryRun: boolean): string | undefined {
    if (access === "preview" && !dryRun) {
        return `${ACCESS_VARIABLE}: preview runs are read-only (pulumi preview); an update needs ${ACCESS_VARIABLE}=deploy, or rollback for the rollback path`;
    }
    return undefined;
}

export const runIdentity = (access: Access, roles: EnvRoles): RunIdentity => ({ access, roleArn: roles[ROLE_KEYS[access]] });

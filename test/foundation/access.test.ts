import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ACCESS_LEVELS, AccessError, EnvRoles, ROLE_KEYS, accessProblem, envRoleArn, envRoleProblems, parseAccess, runIdentity } from "../../stacks/config/access";

const envArb = fc.stringMatching(/^[a-z][a-z0-9]{1,11}$/);
const accountArb = fc.stringMatching(/^\d{12}$/);
const rolesOf = (account: string, env: string, partition = "aws"): EnvRoles =>
    Object.fromEntries(ACCESS_LEVELS.map((access) => [ROLE_KEYS[access], envRoleArn(account, env, access, partition)])) as EnvRoles;

describe("access: MITENE_ACCESS", () => {
    it("is a deploy when unset or empty", () => {
        assert.equal(parseAccess(undefined), "deploy");
        assert.equal(parseAccess(""), "deploy");
    });
    for (const access of ACCESS_LEVELS) it(`takes ${access}`, () => assert.equal(parseAccess(access), access));

    it("property: any other value is an AccessError naming it and the allowed ones", () => {
        fc.assert(fc.property(fc.string({ minLength: 1 }).filter((v) => !(ACCESS_LEVELS as readonly string[]).includes(v)), (value) => {
            assert.throws(() => parseAccess(value), (error: Error) => error instanceof AccessError && error.message === `MITENE_ACCESS: "${value}" is not one of deploy, preview, rollback`);
        }));
    });

    it("refuses only a preview run that is not a dry run", () => {
        for (const access of ACCESS_LEVELS) {
            for (const dryRun of [true, false]) assert.equal(accessProblem(access, dryRun) !== undefined, access === "preview" && !dryRun, `${access} dryRun=${dryRun}`);
        }
    });

    it("maps each access to its role of the env", () => {
        const roles = rolesOf("123456789012", "prod");
        for (const access of ACCESS_LEVELS) assert.deepEqual(runIdentity(access, roles), { access, roleArn: `arn:aws:iam::123456789012:role/mitene-prod-${access}` });
    });
});

describe("access: the env's roles have fixed names", () => {
    it("property: the conventional names pass, in any partition", () => {
        fc.assert(fc.property(envArb, accountArb, fc.constantFrom("aws", "aws-cn", "aws-us-gov"), (env, account, partition) => {
            assert.deepEqual(envRoleProblems(env, account, rolesOf(account, env, partition)), []);
        }));
    });

    it("property: a role of another env, another account or another access is named with the one expected", () => {
        fc.assert(fc.property(envArb, accountArb, fc.constantFrom(...ACCESS_LEVELS), fc.constantFrom("env", "account", "access"), (env, account, access, what) => {
            const roles = rolesOf(account, env);
            const key = ROLE_KEYS[access];
            const other = ACCESS_LEVELS.find((a) => a !== access)!;
            const wrong = {
                env: envRoleArn(account, `${env}x`, access),
                account: envRoleArn(account === "000000000000" ? "111111111111" : "000000000000", env, access),
                access: envRoleArn(account, env, other),
            }[what];
            const problems = envRoleProblems(env, account, { ...roles, [key]: wrong });
            assert.deepEqual(problems, [`mitene:${key}: expected ${roles[key]} (the ${access} role of ${env} has this fixed name), got ${wrong}`]);
        }));
    });
});

/**
 * Traffic only on colors that exist: a region stack whose `weights` (its stack file) give a color a share must
 * have that color's cluster stack among the env's stacks, or the load balancer forwards that share to target
 * groups nothing is registered in. The driver never writes such weights, but a hand-edited stack file can, and
 * no single stack can see it: the rule reads the region stacks' outputs and the set of cluster stacks.
 *
 * Only a render of the whole env shows that set, so an env is judged only when its Ops stack is among the
 * graphs (`mitene render --env E` renders it with the rest): a render of single stacks (`--stack`) lacks the
 * cluster stacks it would have to see, and its region stacks are skipped. Credential-free only: a real
 * preview runs one stack, so the rule is not in the policy pack.
 */
import { asRecord } from "./inputs";
import type { EnvRule, EnvStackGraph } from "./envGraph";

const REGION = /^region-([a-z][a-z0-9]{1,11})-([a-z]{2}(?:-gov)?-[a-z]+-\d)$/;

export const weightsOnDeployedColors: EnvRule = {
    name: "weights-on-deployed-colors",
    description: "A region forwards traffic only to colors whose cluster stack exists in the env (judged over renders of the whole env).",
    enforcementLevel: "mandatory",
    check(graphs: readonly EnvStackGraph[]) {
        const stacks = new Set(graphs.map((g) => g.stack));
        return graphs.flatMap((graph) => {
            const match = graph.stack.match(REGION);
            if (!match || !stacks.has(`ops-${match[1]}`)) return [];
            const [, env, region] = match;
            return Object.entries(asRecord(graph.outputs?.weights))
                .filter(([, weight]) => typeof weight === "number" && weight > 0)
                .filter(([color]) => !stacks.has(`mitene-${env}-${region}-${color}`))
                .map(([color, weight]) => ({
                    stack: graph.stack,
                    resource: `pulumi:pulumi:Stack::${graph.stack}`,
                    message: `${String(weight)}% of the traffic goes to ${color}, but there is no cluster stack mitene-${env}-${region}-${color}`,
                }));
        });
    },
};

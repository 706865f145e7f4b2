/**
 * The load balancer's own 5xx, charged to the new color. ALB publishes HTTPCode_ELB_5XX_Count (and its 500, 502,
 * 503 and 504 parts) with the dimensions `LoadBalancer` and `AvailabilityZone, LoadBalancer` only, never
 * TargetGroup, so they cannot be read per color or per service; HTTPCode_Target_5XX_Count, RequestCount,
 * TargetResponseTime and UnHealthyHostCount also come per `LoadBalancer, TargetGroup`. Sources: the dimensions
 * listed under each metric in
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html, and
 * the same in aws/aws-cdk `packages/aws-cdk-lib/aws-elasticloadbalancingv2/lib/elasticloadbalancingv2-canned-metrics.generated.ts`
 * (`httpCodeElb5XxCountSum` takes `{LoadBalancer}` or `{AvailabilityZone, LoadBalancer}`), read 2026-11-28.
 *
 * The rule: what the load balancer answers itself at the rate it did before the step began (the old color, or
 * the step before) is its own; every 5xx above that rate is charged to the new color, the one thing that
 * changed. They are added to the new color's requests too: RequestCount counts only requests for which the load
 * balancer could choose a target (same page), so a 503 from an empty target group is in no target group's count.
 * A new color whose target groups are empty is then at a 100% error rate, not at "no traffic".
 */
import { LoadBalancerFigures, TrafficFigures } from "../core/ports";

/** The new color's figures with the load balancer's excess 5xx charged to it (`loadBalancerErrors`). */
export type AttributedFigures = TrafficFigures & { loadBalancerErrors: number };

/** 5xx the load balancer answered in `now` above its rate of `before`; never negative, a whole number. */
export function excessLoadBalancerErrors(now: LoadBalancerFigures, before: LoadBalancerFigures): number {
    const rate = before.requests > 0 ? before.errors / before.requests : 0;
    return Math.max(0, Math.round(now.errors - rate * now.requests));
}

export function attributeLoadBalancerErrors(fresh: TrafficFigures, now: LoadBalancerFigures, before: LoadBalancerFigures): AttributedFigures {
    const charged = excessLoadBalancerErrors(now, before);
    return { ...fresh, requests: fresh.requests + charged, errors: fresh.errors + charged, loadBalancerErrors: charged };
}

/**
 * The caller's AWS account through STS GetCallerIdentity (no permission needed: it works for any credentials).
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CallerAccount, CallerIdentity } from "../core/ports";
import { ClientFor } from "./clients";

export class StsIdentity implements CallerIdentity {
    constructor(private readonly sts: ClientFor<STSClient>) {}

    async account(region: string): Promise<CallerAccount> {
        const answer = await this.sts(region).send(new GetCallerIdentityCommand({}));
        if (!answer.Account || !answer.Arn) throw new Error("STS GetCallerIdentity answered without an account or ARN");
        return { accountId: answer.Account, arn: answer.Arn };
    }
}

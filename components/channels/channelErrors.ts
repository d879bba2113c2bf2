/**
 * Off-chain channel errors in plain words: the hub's refusals (HubError codes) and the household's
 * own client refusing a state (ChannelRejected). Wallet and contract errors go to lib/errors.ts
 * (explainError), which this falls back to. Pure module, unit-tested in test/app/channels-ui.test.ts.
 */
import type { Address } from "viem";
import { ChannelRejected } from "@/lib/channels/client";
import { HubError } from "@/lib/channels/hubProtocol";
import { explainError, type ExplainContext } from "@/lib/errors";
import { formatPLC, shortAddress } from "@/lib/format";

export interface ChannelErrorContext extends ExplainContext {
  /** The household being paid, when the error is about a payment. */
  payee?: Address;
}

function name(address: Address | undefined, ctx: ChannelErrorContext): string {
  if (!address) return "the other household";
  return ctx.nameOf?.(address) ?? shortAddress(address);
}

/** The first number of base units in a hub message, as PLC ("at most 2000000 base units" → 2.00 PLC). */
function amountIn(message: string): string | undefined {
  const m = /(\d+) base units/.exec(message);
  return m ? formatPLC(BigInt(m[1])) : undefined;
}

export function explainChannelError(error: unknown, ctx: ChannelErrorContext = {}): { title: string; message: string } {
  if (error instanceof HubError) {
    const amount = amountIn(error.message);
    switch (error.code) {
      case "hub-unreachable":
      case "hub-no-node":
      case "hub-failed":
        return { title: "Hub not reachable", message: `The LAN hub does not answer right now. Your channel and its balances are safe; try again in a moment. (${error.message})` };
      case "hub-not-configured":
      case "hub-not-deployed":
        return { title: "No hub on this network", message: error.message };
      case "payee-no-channel":
        return {
          title: "No channel to pay into",
          message: `${name(ctx.payee, ctx)} has no open channel with the hub, so the hub cannot pay it. Ask them to open one on the Channels page.`,
        };
      case "payer-no-channel":
        return { title: "No open channel", message: "You have no open channel with the hub (or it is being closed). Open one first." };
      case "hub-no-capacity":
        return {
          title: "The hub cannot forward that much",
          message: `The hub can pay ${name(ctx.payee, ctx)} at most ${amount ?? "less"} right now (its side of their channel). Send a smaller amount.`,
        };
      case "payer-insufficient":
        return { title: "Not enough in your channel", message: `You can pay at most ${amount ?? "less"} through your channel. Top it up first.` };
      case "channel-busy":
        return { title: "Payment in progress", message: "Another payment through this channel is still on its way. Try again in a few seconds." };
      case "channel-frozen":
        return { title: "Channel closing", message: "You asked the hub to close this channel, so it signs no more payments on it. Finish the close." };
      case "state-mismatch":
        return { title: "Out of step with the hub", message: "The hub holds a different latest state of this channel. Reload the page to restore the latest both-signed state, then try again." };
      case "challenge-too-short":
        return { title: "Challenge period too short", message: error.message };
      case "amount-too-small":
        return { title: "Amount too small", message: "The amount must be more than the hub's fee." };
      case "same-party":
        return { title: "That's you", message: "Choose another household to pay." };
      case "not-settled":
        return { title: "Not settled yet", message: "The channel is not settled on-chain yet." };
      default:
        return { title: "The hub refused", message: error.message };
    }
  }
  if (error instanceof ChannelRejected) {
    const m = error.message;
    if (/insufficient balance/.test(m)) return { title: "Not enough in your channel", message: "Your side of the channel cannot cover this payment. Top it up first." };
    if (/resolve or expire pending locks/.test(m)) return { title: "Payment still pending", message: "A payment through this channel is not finished yet; close once it is." };
    if (/still awaits|still waiting/.test(m)) return { title: "Update pending", message: "An update is still waiting for the hub's answer. Try again in a moment." };
    if (/not tracked/.test(m)) return { title: "Channel unknown here", message: "This browser holds no state of that channel." };
    if (/close signature is not the hub's|payouts differ/.test(m)) return { title: "Close refused", message: `The hub's close signature does not match your latest state, so nothing was sent. (${m})` };
    return { title: "Refused by your channel client", message: `Your browser refused this channel state: ${m}.` };
  }
  const explained = explainError(error, ctx);
  return { title: explained.title, message: explained.message };
}

/**
 * Channel errors in words (components/channels/channelErrors.ts) and the HTTP transport to the hub
 * (lib/channels/hubProtocol.ts: refusals arrive as HubError with the hub's code and words).
 */
import { describe, expect, it } from "vitest";
import { UserRejectedRequestError, type Address } from "viem";
import { explainChannelError } from "../../components/channels/channelErrors.ts";
import { ChannelRejected } from "../../lib/channels/client.ts";
import { HubError, httpHubTransport } from "../../lib/channels/hubProtocol.ts";

const HOUSEHOLD_6 = "0x976EA74026E726554dB657fA54763abd0C3a0aa9" as Address;
const ctx = { nameOf: (a: Address) => (a === HOUSEHOLD_6 ? "Household 6" : undefined), payee: HOUSEHOLD_6 };

describe("channel errors in words", () => {
  it("names the payee the hub cannot reach", () => {
    expect(explainChannelError(new HubError("payee-no-channel", "0x976E…0aa9 has no open channel with the hub"), ctx)).toEqual({
      title: "No channel to pay into",
      message: "Household 6 has no open channel with the hub, so the hub cannot pay it. Ask them to open one on the Channels page.",
    });
  });

  it("turns the hub's base units into PLC", () => {
    const e = new HubError("hub-no-capacity", "The hub can forward at most 2500000 base units to 0x976E…0aa9 right now");
    expect(explainChannelError(e, ctx).message).toBe("The hub can pay Household 6 at most 2.50 PLC right now (its side of their channel). Send a smaller amount.");
    expect(explainChannelError(new HubError("payer-insufficient", "at most 1000000 base units"), ctx).message).toBe(
      "You can pay at most 1.00 PLC through your channel. Top it up first.",
    );
  });

  it("explains an unreachable hub, a frozen channel, a busy channel and unknown codes", () => {
    expect(explainChannelError(new HubError("hub-unreachable", "The hub service does not answer (fetch failed).", 0)).title).toBe("Hub not reachable");
    expect(explainChannelError(new HubError("channel-frozen", "x", 409)).title).toBe("Channel closing");
    expect(explainChannelError(new HubError("channel-busy", "x", 409)).message).toMatch(/still on its way/);
    expect(explainChannelError(new HubError("something-new", "The hub says no."))).toEqual({ title: "The hub refused", message: "The hub says no." });
  });

  it("explains the household's own client refusing a state", () => {
    expect(explainChannelError(new ChannelRejected("channel 1: insufficient balance (short by 5)")).title).toBe("Not enough in your channel");
    expect(explainChannelError(new ChannelRejected("channel 1 update 3: signature is not the counterparty's")).message).toBe(
      "Your browser refused this channel state: channel 1 update 3: signature is not the counterparty's.",
    );
  });

  it("falls back to the app's wallet and contract errors", () => {
    expect(explainChannelError(new UserRejectedRequestError(new Error("User rejected the request.")))).toEqual({
      title: "Request rejected",
      message: "You rejected the request in your wallet. Nothing was sent and nothing changed.",
    });
  });
});

describe("HTTP transport to the hub", () => {
  const respond = (status: number, body: unknown) => async () => new Response(typeof body === "string" ? body : JSON.stringify(body), { status });

  it("GETs queries and POSTs requests as JSON", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const transport = httpHubTransport("/channels/hub", async (url, init) => {
      calls.push({ url: String(url), init });
      return new Response(JSON.stringify({ ok: true }), { status: 200 });
    });
    await transport.query({ action: "inbox", account: HOUSEHOLD_6 });
    await transport.send({ action: "join", channelId: "7" });
    expect(calls[0].url).toBe(`/channels/hub?action=inbox&account=${HOUSEHOLD_6}`);
    expect(calls[1]).toMatchObject({ url: "/channels/hub", init: { method: "POST", body: JSON.stringify({ action: "join", channelId: "7" }) } });
  });

  it("turns refusals into HubError with the hub's code and words, and failures into hub-unreachable", async () => {
    const refused = httpHubTransport("/h", respond(409, { error: "Another payment is in progress.", code: "channel-busy" }));
    await expect(refused.send({ action: "join", channelId: "1" })).rejects.toMatchObject({ name: "HubError", code: "channel-busy", status: 409, message: "Another payment is in progress." });
    const html = httpHubTransport("/h", respond(502, "<html>Bad gateway</html>"));
    await expect(html.query({ action: "info" })).rejects.toMatchObject({ code: "hub-unreachable", status: 502 });
    const down = httpHubTransport("/h", async () => {
      throw new TypeError("fetch failed");
    });
    await expect(down.query({ action: "info" })).rejects.toMatchObject({ code: "hub-unreachable", message: "The hub service does not answer (fetch failed)." });
  });
});

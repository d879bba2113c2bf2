/**
 * The LAN hub service over HTTP (protocol: lib/channels/hubProtocol.ts; logic:
 * lib/channels/hubService.ts; who the hub is: lib/channels/hubServer.ts).
 *   GET  /channels/hub?action=info | inbox&account=0x… | payment&id=… | channels&account=0x…
 *   POST /channels/hub   { action: "join" | "request-payment" | "invoice" | "update" | "ack" | "close-signature" | "closed", … }
 * Refusals answer 4xx with { error, code } in words; an unreachable node 503.
 */
import { HubError, type HubQuery, type HubRequest } from "@/lib/channels/hubProtocol";
import { hubService } from "@/lib/channels/hubServer";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function answer(run: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await run(), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof HubError) {
      return Response.json({ error: error.message, code: error.code }, { status: error.status || 400 });
    }
    console.error("[hub] request failed:", error);
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return Response.json({ error: `The hub failed: ${message}`, code: "hub-failed" }, { status: 500 });
  }
}

export async function GET(request: Request): Promise<Response> {
  const params = Object.fromEntries(new URL(request.url).searchParams) as unknown as HubQuery;
  return answer(async () => (await hubService()).query(params));
}

export async function POST(request: Request): Promise<Response> {
  return answer(async () => {
    let body: HubRequest;
    try {
      body = (await request.json()) as HubRequest;
    } catch {
      throw new HubError("bad-request", "The request body must be JSON.");
    }
    return (await hubService()).send(body);
  });
}

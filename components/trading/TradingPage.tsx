"use client";

/**
 * The trading page: the open interval with its countdown, the order book and depth chart with the
 * previewed uniform price, the order form, balances, my orders and fills, recent intervals.
 */
import { useMemo, useState } from "react";
import { clearDoubleAuction, supplyDemandCurves } from "@/lib/market/clearing";
import { toDepthPoints } from "@/lib/app/depthChart";
import { isGated } from "@/lib/app/intervals";
import { sideTotals, SIDE, toAuctionOrders } from "@/lib/app/orderbook";
import { useDeployment, useWallet } from "@/lib/hooks/useDeployment";
import { useBalances, useIntervalBook, useMarketClock, useMyActivity, useTrader } from "@/lib/hooks/useMarket";
import { formatEnergy } from "@/lib/format";
import { ChannelSummaryCard } from "../channels/ChannelsPage";
import { Card, Notice } from "../ui";
import { BalancesCard } from "./BalancesCard";
import { DepthChart } from "./DepthChart";
import { IntervalBar } from "./IntervalBar";
import { MyFills, MyOrders } from "./MyActivity";
import { OrderBook } from "./OrderBook";
import { OrderForm } from "./OrderForm";
import { RecentIntervals } from "./RecentIntervals";

export function TradingPage() {
  const d = useDeployment();
  const wallet = useWallet();
  const me = wallet.address;
  const clock = useMarketClock(d);
  const [chosen, setChosen] = useState<bigint | undefined>();
  // The chosen interval while it is open, else the open one (the selection moves on at gate closure).
  const selected = clock.open.find((t) => t.interval === chosen) ?? clock.open[0];
  const book = useIntervalBook(d, selected?.interval);
  const { balances, isLoading: balancesLoading } = useBalances(d, me);
  const { trader } = useTrader(d, me);
  const activity = useMyActivity(d, me);

  const preview = useMemo(() => {
    const input = toAuctionOrders(book.orders);
    const k = book.params ? { num: BigInt(book.params.kNumerator), den: BigInt(book.params.kDenominator) } : undefined;
    const outcome = clearDoubleAuction(input, k ? { k } : undefined);
    const curves = supplyDemandCurves(input);
    return {
      priceWeiPerKWh: outcome.priceWeiPerKWh === null ? null : Number(outcome.priceWeiPerKWh),
      clearedWh: Number(outcome.clearedWh),
      fills: new Map(outcome.fills.map((f) => [f.id, f.filledWh])),
      demand: toDepthPoints(curves.demand),
      supply: toDepthPoints(curves.supply),
    };
  }, [book.orders, book.params]);

  if (!d.deployed) {
    return (
      <Notice tone="warn">
        No PowerLAN market is known on {d.chainName}. Start the devnet with <code>npm start</code>.
      </Notice>
    );
  }

  const gated = selected ? isGated(selected, clock.now) : true;
  const bids = sideTotals(book.orders, SIDE.Bid);
  const offers = sideTotals(book.orders, SIDE.Offer);

  return (
    <div className="space-y-4">
      <IntervalBar open={clock.open} selected={selected} onSelect={setChosen} now={clock.now} params={book.params} paused={clock.paused} />
      {clock.error && <Notice tone="error">Could not read the market: {clock.error.message.split("\n")[0]}</Notice>}

      <div className="grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <Card
            title="Supply and demand"
            subtitle={
              selected
                ? `Interval #${selected.interval} · ${offers.orders} offers (${formatEnergy(offers.energyWh)}) · ${bids.orders} bids (${formatEnergy(bids.energyWh)})`
                : undefined
            }
          >
            <DepthChart
              demand={preview.demand}
              supply={preview.supply}
              previewPriceWeiPerKWh={preview.priceWeiPerKWh}
              previewClearedWh={preview.clearedWh}
            />
          </Card>
          <Card title="Order book" subtitle="Merit order: the cheapest offers and the highest bids clear first. A dot marks orders the preview fills.">
            <OrderBook
              d={d}
              orders={book.orders}
              me={me}
              params={book.params}
              previewFills={preview.fills}
              loading={book.isLoading || clock.isLoading}
              gated={gated}
            />
          </Card>
        </div>
        <div className="min-w-0 space-y-4">
          <Card title="Post an order" subtitle={selected ? `For interval #${selected.interval}` : undefined} testId="post-order">
            {!me && (
              <div className="mb-3">
                <Notice>Connect a wallet to post orders.</Notice>
              </div>
            )}
            <OrderForm
              d={d}
              interval={selected?.interval}
              params={book.params}
              gated={gated}
              me={me}
              trader={trader}
              balances={balances}
              paused={clock.paused}
            />
          </Card>
          <BalancesCard d={d} me={me} balances={balances} trader={trader} loading={balancesLoading} now={clock.now} />
          <ChannelSummaryCard d={d} me={me} />
        </div>
      </div>

      <div className="grid gap-4 2xl:grid-cols-2">
        <MyOrders d={d} me={me} orders={activity.data?.orders} loading={activity.isLoading} firstOpenInterval={clock.open[0]?.interval} />
        <MyFills me={me} orders={activity.data?.orders} takes={activity.data?.takes} loading={activity.isLoading} />
      </div>
      <RecentIntervals d={d} timings={clock.timings} now={clock.now} intervalSeconds={book.params?.intervalSeconds} connected={wallet.connected} />
    </div>
  );
}

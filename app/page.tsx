import { TradingPage } from "@/components/trading/TradingPage";

export default function Page() {
  return <TradingPage />;
}

import type { Metadata } from "next";
import { ChannelsPage } from "@/components/channels/ChannelsPage";

export const metadata: Metadata = { title: "Channels — PowerLAN" };

export default function Page() {
  return <ChannelsPage />;
}

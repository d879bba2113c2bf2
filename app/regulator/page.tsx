import type { Metadata } from "next";
import { RegulatorPage } from "@/components/regulator/RegulatorPage";

export const metadata: Metadata = { title: "Regulator — PowerLAN" };

export default function Page() {
  return <RegulatorPage />;
}

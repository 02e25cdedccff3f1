/** 調達・契約・支払: the Vendors tab (in preparation). */
import { t } from "../i18n";

export function ProcurementVendors() {
  return <p className="text-std-16N-170 text-solid-gray-700">{t("procurement.notYet")}</p>;
}

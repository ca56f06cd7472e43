/**
 * The fault catalogue: {@code FaultCatalogueTest} injects department, database and client faults
 * into a whole gateway and asserts the client's code and readiness; {@code FaultCatalogueTableTest}
 * keeps the README's table of every named fault pointing at tests that exist.
 */
package cn.govgate.faults;

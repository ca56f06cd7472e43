/**
 * Fuzzing from the contracts: a seeded generator of malformed requests for every operation of
 * {@code contracts/} and the channel callbacks ({@code FuzzCases}, {@code ContractOperations}),
 * sent over raw keep-alive sockets ({@code RawConnection}) to a whole gateway ({@code
 * ContractFuzzTest}); {@code ops/fuzz/run.sh} runs it large.
 */
package cn.govgate.fuzz;

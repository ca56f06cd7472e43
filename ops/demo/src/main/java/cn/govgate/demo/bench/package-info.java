/**
 * The benchmark harness of {@code ops/bench/}: {@link cn.govgate.demo.bench.BenchStack} starts the
 * demo gateway with many synthetic citizens and prepares the data files {@code wrk} reads; {@link
 * cn.govgate.demo.bench.BenchData} does the preparation through the gateway's and the simulators'
 * real HTTP APIs.
 */
package cn.govgate.demo.bench;

/**
 * Test support of the gateway's tests: a shared embedded PostgreSQL with a database per caller
 * ({@code TestPostgres}), whole gateways on random ports with the production wiring ({@code
 * TestGateways}), the whole chain with channel and department simulators ({@code GatewayTestBed}),
 * and contract validation of real responses ({@code ApiContract}, {@code Contracts}). The test
 * clock comes from the test-support module.
 */
package cn.govgate.testing;

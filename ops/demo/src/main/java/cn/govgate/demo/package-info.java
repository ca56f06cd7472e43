/**
 * The demo, a program of its own beside the gateway: {@link cn.govgate.demo.Demo} starts embedded
 * PostgreSQL, the channel and department simulators and the gateway (through its public start API,
 * configured with the demo's generated keys), registers the departments through the admin API and
 * writes {@code demo-manifest.json}; {@link cn.govgate.demo.DemoLauncher} is its {@code main}.
 */
package cn.govgate.demo;

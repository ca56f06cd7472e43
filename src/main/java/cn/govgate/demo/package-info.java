/**
 * The embedded default (demo mode): embedded PostgreSQL, channel simulators, department simulators and
 * seeded synthetic citizens, and the {@code demo-manifest.json} that tells a client how to use them.
 */
package cn.govgate.demo;

/** Test support: a shared embedded PostgreSQL with a database per caller, and whole gateways on random ports. */
package cn.govgate.testing;

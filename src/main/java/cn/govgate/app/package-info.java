/**
 * The composition root: {@code Main} parses arguments and configuration, {@code Gateway} wires
 * Vert.x, metrics, PostgreSQL and every concern, deploys one server verticle per event loop and
 * shuts down gracefully.
 */
package cn.govgate.app;

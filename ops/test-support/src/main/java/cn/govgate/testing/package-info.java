/**
 * Test support shared by every module's tests: {@link cn.govgate.testing.TestClock}, the one
 * hand-moved clock; {@link cn.govgate.testing.BodyServer}, a real HTTP server on a free port, and
 * {@link cn.govgate.testing.CallbackServer}, the merchant's notify endpoint built on it.
 */
package cn.govgate.testing;

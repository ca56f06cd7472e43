/**
 * Payments of traffic fines and utility bills through the channels: orders (one per bill, one per
 * idempotency key), channel prepay, signed callbacks applied exactly once, the outbox that delivers
 * paid orders to the departments, and the reconciler that asks the channels about orders stuck
 * pending.
 */
package cn.govgate.payments;

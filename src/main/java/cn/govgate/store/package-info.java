/**
 * Storage: the PostgreSQL pool and Flyway migrations ({@code src/main/resources/db/migration}). SQL
 * stays in the classes of its concern, apart from handlers.
 */
package cn.govgate.store;

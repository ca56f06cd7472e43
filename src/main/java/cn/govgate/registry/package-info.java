/**
 * Department backends as the gateway sees them: the admin API that creates departments and
 * registers their backends ({@link cn.govgate.registry.AdminApi}, {@code
 * contracts/admin-api.yaml}), the versioned store in PostgreSQL ({@link
 * cn.govgate.registry.RegistryStore}), the per-instance route table by (service type, region) that
 * follows every change through LISTEN/NOTIFY ({@link cn.govgate.registry.Registry}), active health
 * checks, and the guarded, signed department calls the services layer makes ({@link
 * cn.govgate.registry.DepartmentClient}, {@link cn.govgate.registry.DepartmentAuth}, see {@code
 * contracts/department-backend.yaml}).
 */
package cn.govgate.registry;

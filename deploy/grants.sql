-- Privileges for a MySQL-backed orchestrator node. Each node has its OWN dedicated backend server
-- (no replication between them); run this on every node's backend.
CREATE DATABASE IF NOT EXISTS orchestrator;
CREATE USER IF NOT EXISTS 'orchestrator_srv'@'127.0.0.1' IDENTIFIED BY 'change-me';
GRANT ALL PRIVILEGES ON orchestrator.* TO 'orchestrator_srv'@'127.0.0.1';

-- On every MySQL/MariaDB server orchestrator manages (the topology user):
CREATE USER IF NOT EXISTS 'orchestrator'@'%' IDENTIFIED BY 'change-me';
GRANT SUPER, PROCESS, REPLICATION SLAVE, REPLICATION CLIENT, RELOAD ON *.* TO 'orchestrator'@'%';
GRANT SELECT ON meta.* TO 'orchestrator'@'%';

-- Privileges for a MySQL-backed orchestrator node. Each node has its OWN dedicated backend server
-- (no replication between them); run this on every node's backend.
CREATE DATABASE IF NOT EXISTS orchestrator;
CREATE USER IF NOT EXISTS 'orchestrator_srv'@'127.0.0.1' IDENTIFIED BY 'change-me';
GRANT ALL PRIVILEGES ON orchestrator.* TO 'orchestrator_srv'@'127.0.0.1';

-- On every MySQL/MariaDB server orchestrator manages (the topology user):
CREATE USER IF NOT EXISTS 'orchestrator'@'%' IDENTIFIED BY 'change-me';
GRANT SUPER, PROCESS, REPLICATION SLAVE, REPLICATION CLIENT, RELOAD ON *.* TO 'orchestrator'@'%';
GRANT SELECT ON meta.* TO 'orchestrator'@'%';
-- MariaDB 10.5.2 and later split SUPER: also grant these, or SHOW SLAVE HOSTS (replica discovery),
-- SHOW SLAVE STATUS and setting read_only during recoveries are refused.
GRANT REPLICATION MASTER ADMIN, REPLICATION SLAVE ADMIN, SLAVE MONITOR, BINLOG MONITOR, READ_ONLY ADMIN ON *.* TO 'orchestrator'@'%';

-- Replication user the replicas use (MySQLReplicaUser / MySQLReplicaPassword in orchestrator.conf.json,
-- needed by recoveries on MariaDB, which cannot read a stored replication password back):
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'change-me';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';

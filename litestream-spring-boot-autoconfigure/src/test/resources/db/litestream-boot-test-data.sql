INSERT INTO note (text) VALUES ('from-sql-init');

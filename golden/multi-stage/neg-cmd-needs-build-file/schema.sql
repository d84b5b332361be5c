create table t(x);

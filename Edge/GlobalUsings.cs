global using Turnpike.RouteTable;

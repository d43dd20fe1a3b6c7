// AgentPersonas module

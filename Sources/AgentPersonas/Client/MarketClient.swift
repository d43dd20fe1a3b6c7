// The agents' side: MarketClient, web probe, personas.

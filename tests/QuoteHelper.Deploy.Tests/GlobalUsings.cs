global using QuoteHelper.Testing;
global using Xunit;
